package dev.vigil.history.cli;

/**
 * Where the command-line tools find what {@code ./vigil up} keeps (the model registry, the local
 * certificates, the service's state): {@code var/} under the checkout, which the {@code vigil}
 * script names in {@code VIGIL_HOME}. The tools run in the directory the user ran them from, so a
 * path the user gives resolves there; only these defaults point into the checkout.
 */
public final class VigilHome {
  /** A picocli default: {@code $VIGIL_HOME/var}, or {@code ./var} without it. */
  public static final String VAR = "${env:VIGIL_HOME:-.}/var";

  private VigilHome() {}

  /** {@code $VIGIL_HOME/var/relative}, or {@code ./var/relative} without it. */
  public static java.nio.file.Path var(String relative) {
    String home = System.getenv("VIGIL_HOME");
    return java.nio.file.Path.of(home == null || home.isBlank() ? "." : home, "var", relative);
  }
}
