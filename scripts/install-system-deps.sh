#!/usr/bin/env bash
# The Debian packages the tests need: a real OpenSSH server, Docker Engine, PostgreSQL,
# Chromium, a static busybox for the tiny test image, iproute2 for the second Docker bridge, nginx
# (its binary goes into a test image: the real proxy in front of suspended tenants; the Debian
# service itself is never started by this script), Python 3 and unzip (the archive checks), Caddy (its
# binary goes into a test image: the HTTPS proxy in front of tenants), Pebble with pebble-challtestsrv (a
# test ACME server and its DNS, with openssl for its directory certificate) and libnss3-tools (certutil:
# a Chromium that trusts Pebble's roots).
# Debian's caddy package enables a caddy service on port 80: it is stopped and disabled (the tests
# never use it).
# As root it installs what is missing and says so; otherwise it lists them and stops.
set -euo pipefail

missing=()
need() { # need <package> <test command…>
  local pkg=$1; shift
  if ! "$@" >/dev/null 2>&1; then missing+=("$pkg"); fi
}
need openssh-server test -x /usr/sbin/sshd
need openssh-client command -v ssh-keygen
need docker.io test -x /usr/sbin/dockerd -o -x /usr/bin/dockerd
need postgresql sh -c 'ls /usr/lib/postgresql/*/bin/initdb'
need chromium test -x /usr/bin/chromium
need busybox-static test -x /bin/busybox
need iproute2 command -v ip
need iptables command -v iptables
need procps command -v pkill
need passwd command -v useradd
need nginx test -x /usr/sbin/nginx
need python3 test -x /usr/bin/python3             # Python's zipfile checks our archives; the stand-in Odoo image copies it
need unzip command -v unzip                       # Info-ZIP's unzip -t checks our archives
need caddy test -x /usr/bin/caddy                 # copied into the fleet-testbed/caddy image
need pebble test -x /usr/bin/pebble               # the testbed's ACME server (and pebble-challtestsrv)
need libnss3-tools command -v certutil            # an NSS database for a Chromium that trusts Pebble
need openssl command -v openssl                   # the certificate of the testbed's ACME directory

if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "The tests need these Debian packages: ${missing[*]}" >&2
  echo "Install them as root (apt-get install ${missing[*]}) or run this command as root." >&2
  exit 1
fi
echo "Installing Debian packages the tests need: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# Debian starts a service when its package is installed (nginx would listen on port 80): the
# tests only copy binaries, so no service is started during this install (policy-rc.d, 101).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "Installed: ${missing[*]}"
# Debian enables a caddy service on port 80 (it would start at the next boot): stopped and disabled where
# systemd runs (policy-rc.d only kept it from starting during this install); ignored without systemd.
if [[ " ${missing[*]} " == *" caddy "* ]] && command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now caddy >/dev/null 2>&1 || true
  echo "Stopped and disabled Debian's caddy service (the tests never use it)."
fi
