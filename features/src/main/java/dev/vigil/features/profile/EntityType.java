package dev.vigil.features.profile;

/** The kinds of entity a profile is kept for. */
public enum EntityType {
  ACCOUNT, CUSTOMER, MERCHANT, DEVICE, CHECK
}
