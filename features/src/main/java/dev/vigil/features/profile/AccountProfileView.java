package dev.vigil.features.profile;

/** Read-only questions about an account profile asked outside the catalogue. */
public final class AccountProfileView {
  private AccountProfileView() {}

  /** Whether the profile has seen a statement or a status report: a credit account to score. */
  public static boolean hasCreditHistory(Profile p) {
    return p instanceof AccountProfile a
        && (a.hasStatements() || a.statusMillis != Long.MIN_VALUE);
  }
}
