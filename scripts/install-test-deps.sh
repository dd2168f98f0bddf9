#!/usr/bin/env bash
# Installs the programs the test suite drives besides Python: a Java runtime (HermiT, through
# owlready2) and Chromium (the web page test). Uses Debian's packages; needs root or sudo.
# Does nothing for what is already there.
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# The engine matrix (tests/engines): Virtuoso's server and isql only (the -bin package starts no
# system service), and Apache Jena's jars (run with java -cp; no wrapper scripts in Debian).
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource-7-bin)
[ -f /usr/share/java/jena-tdb2.jar ] || need+=(libapache-jena-java)
# Release validators (tests/test_release_validators.py): Raptor, Jena riot, the OWL API 5 (run
# through Java's single-file launcher, which needs a JDK's compiler).
command -v rapper >/dev/null 2>&1 || need+=(raptor2-utils)
[ -f /usr/share/java/owlapi-distribution.jar ] || need+=(libowlapi-java)
[ -f /usr/share/java/slf4j-simple.jar ] || need+=(libslf4j-java)
{ command -v java >/dev/null 2>&1 && java --list-modules 2>/dev/null | grep -q '^jdk.compiler@'; } \
  || need+=(default-jdk-headless)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: no apt-get here; install ${need[*]} yourself (tests that need them are skipped outside CI)" >&2
  exit 0
fi
echo "install-test-deps: installing ${need[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
