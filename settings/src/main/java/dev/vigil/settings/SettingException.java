package dev.vigil.settings;

/**
 * A setting refused: a value that is not valid, a key that is not declared, a value missing. The
 * message names the key and, when there is one, the value.
 */
public final class SettingException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public SettingException(String message) {
    super(message);
  }
}
