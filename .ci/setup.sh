#!/bin/sh
# Set up, build and try ksim on a Debian or Ubuntu machine, in one command:
#
#   sh .ci/setup.sh demo    install what is missing, build, run the demo scenario
#   sh .ci/setup.sh check   install what is missing, build, make check, make distcheck
#   sh .ci/setup.sh build   install what is missing and build
#
# Run it from anywhere as root, or as a user who may use sudo (only apt-get
# runs as root).  Packages already installed are not touched, and nothing
# is installed when nothing is missing.  The environment may add:
#
#   KSIM_PACKAGES    more apt packages to install (.ci/run adds valgrind, and
#                    librsvg2-bin so the SVG chart is rendered in a test)
#   KSIM_CONFIGURE   more ./configure arguments (--enable-werror ...)
#   KSIM_BUILDDIR    build there instead of in the source tree (VPATH)
#   KSIM_DISTCHECK=0 skip make distcheck in `check`
set -eu

what=${1:-demo}
case $what in
demo | check | build) ;;
*)
	echo "usage: sh .ci/setup.sh demo|check|build" >&2
	exit 2
	;;
esac
srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${KSIM_BUILDDIR:-$srcdir}
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)

packages="build-essential autoconf automake pkg-config libyaml-dev libjansson-dev check mandoc ${KSIM_PACKAGES:-}"

# 1. Packages: install only those dpkg does not know as installed.
missing=""
for p in $packages; do
	s=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null || true)
	case $s in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		sudo=""
	elif command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "setup: missing packages:$missing; run as root or install sudo" >&2
		exit 1
	fi
	echo "setup: installing$missing"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends $missing
fi

# 2. Build: bootstrap a fresh checkout, configure once, make.
cd "$srcdir"
[ -x configure ] || ./bootstrap
mkdir -p "$builddir"
cd "$builddir"
if [ ! -f Makefile ]; then
	# shellcheck disable=SC2086
	"$srcdir"/configure ${KSIM_CONFIGURE:-}
fi
make -j"$jobs"

# 3. Use it.
case $what in
demo)
	./ksim run "$srcdir"/scenarios/kubeflow-notebooks-static.yaml
	;;
check)
	if ! make -j"$jobs" check; then
		echo "setup: make check failed; test-suite.log follows" >&2
		cat test-suite.log >&2 || true
		exit 1
	fi
	if [ "${KSIM_DISTCHECK:-1}" != 0 ]; then
		make -j"$jobs" distcheck
	fi
	;;
esac
