package dev.vigil.tools.policy;

import dev.vigil.features.event.Event.Money;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A count of cases with their money, each currency apart (minor units of its ISO 4217 currency:
 * different currencies are never added together), and their hold days. Mutable: a report adds
 * to it case by case.
 */
public final class Tally {
  private long count;
  private final TreeMap<String, Long> money = new TreeMap<>();
  private long holdDays;

  /** Adds one case: its amount (null: none) and hold days. */
  public void add(Money amount, int days) {
    count++;
    if (amount != null) {
      money.merge(amount.currency(), amount.minorUnits(), Math::addExact);
    }
    holdDays = Math.addExact(holdDays, days);
  }

  /** Adds every case {@code other} counted. */
  public void addAll(Tally other) {
    count += other.count;
    other.money.forEach((currency, units) -> money.merge(currency, units, Math::addExact));
    holdDays = Math.addExact(holdDays, other.holdDays);
  }

  public long count() {
    return count;
  }

  /** Minor units by currency code, in code order. */
  public Map<String, Long> money() {
    return Collections.unmodifiableMap(money);
  }

  /** Minor units of {@code currency}; 0 when none. */
  public long money(String currency) {
    return money.getOrDefault(currency, 0L);
  }

  public long holdDays() {
    return holdDays;
  }
}
