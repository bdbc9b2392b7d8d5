# Sourced by ./pipeline: sets JAVA_HOME to a JDK 25 or newer, or exits with one line saying what to install.
#
# Order: $JAVA_HOME when it is 25+; then the newest 25+ JDK under $JDK_SEARCH_ROOTS (default: the
# usual JVM folders); then the JDK of the `java` on PATH, when it is 25+.

required_java=25

# The feature version (17, 25, ...) of the JDK at $1, or nothing when $1 is not a JDK.
jdk_feature_version() {
  local home=$1 version=""
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  fi
  if [ -z "$version" ]; then
    version=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  fi
  echo "$version"
}

find_jdk() {
  local candidate version best="" best_version=0 java_home_is="unset"
  if [ -n "${JAVA_HOME:-}" ]; then
    version=$(jdk_feature_version "$JAVA_HOME")
    if [ -n "$version" ] && [ "$version" -ge "$required_java" ]; then
      return 0
    fi
    if [ -n "$version" ]; then java_home_is="$JAVA_HOME, a JDK $version"; else java_home_is="$JAVA_HOME, not a JDK"; fi
  fi
  local roots=${JDK_SEARCH_ROOTS:-"/usr/lib/jvm /usr/java /opt/java /opt $HOME/.sdkman/candidates/java $HOME/.jdks"}
  for root in $roots; do
    for candidate in "$root"/*; do
      [ -d "$candidate" ] || continue
      version=$(jdk_feature_version "$candidate")
      if [ -n "$version" ] && [ "$version" -ge "$required_java" ] && [ "$version" -gt "$best_version" ]; then
        best=$candidate
        best_version=$version
      fi
    done
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    version=$(jdk_feature_version "$candidate")
    if [ -n "$version" ] && [ "$version" -ge "$required_java" ]; then
      best=$candidate
    fi
  fi
  if [ -z "$best" ]; then
    echo "pipeline: no JDK $required_java or newer found (JAVA_HOME is $java_home_is; searched $roots and PATH). Install one (e.g. Eclipse Temurin $required_java: apt-get install temurin-$required_java-jdk) and set JAVA_HOME to it." >&2
    exit 1
  fi
  if [ "$java_home_is" != "unset" ]; then
    echo "pipeline: JAVA_HOME is $java_home_is; using $best" >&2
  fi
  export JAVA_HOME=$best
}

find_jdk
