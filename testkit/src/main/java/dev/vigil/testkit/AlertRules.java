package dev.vigil.testkit;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Vigil's Prometheus alert rules file ({@code deploy/prometheus/vigil-alerts.yml}) read and checked
 * as Prometheus reads it: {@code groups} of {@code name} and {@code rules}, each rule an {@code
 * alert} with {@code expr}, {@code for}, {@code labels} (a {@code severity}) and {@code
 * annotations} (a {@code summary} and a {@code description}), nothing else; and, against a scrape
 * of what a process exports, the metric names and label names each expression uses.
 *
 * @param groups the file's groups, in order
 */
public record AlertRules(List<Group> groups) {
  /** The rules file, relative to the repository's root. */
  public static final String FILE = "deploy/prometheus/vigil-alerts.yml";
  /** The severities an alert may carry: page someone now, or open a ticket. */
  public static final Set<String> SEVERITIES = Set.of("page", "ticket");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern DURATION = Pattern.compile("[0-9]+(ms|s|m|h|d|w|y)");
  private static final Pattern ALERT_NAME = Pattern.compile("[A-Z][A-Za-z0-9]+");
  private static final Set<String> GROUP_KEYS = Set.of("name", "rules", "interval");
  private static final Set<String> RULE_KEYS = Set.of("alert", "expr", "for", "labels",
      "annotations");

  /** One alerting rule. */
  public record Rule(String alert, String expr, String duration, Map<String, String> labels,
      Map<String, String> annotations) {}

  /** A group of rules, evaluated together. */
  public record Group(String name, List<Rule> rules) {}

  /** The rules file of the repository whose module directory {@code moduleDir} is. */
  public static Path file(Path moduleDir) {
    return moduleDir.toAbsolutePath().getParent().resolve(FILE);
  }

  /**
   * Reads a rules file and checks its shape.
   *
   * @throws IllegalArgumentException naming the group, the alert and the field that is wrong
   */
  public static AlertRules read(Path file) throws IOException {
    Object raw;
    try {
      raw = YAML.readValue(file.toFile(), Object.class);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(file + ": not YAML: " + e.getOriginalMessage());
    }
    Map<?, ?> top = map(raw, file + ": the top level");
    only(top, Set.of("groups"), file + ": the top level");
    var groups = new ArrayList<Group>();
    var groupNames = new HashSet<String>();
    var alertNames = new HashSet<String>();
    for (Object g : list(top.get("groups"), file + ": groups")) {
      Map<?, ?> group = map(g, file + ": a group");
      String name = text(group.get("name"), file + ": a group's name");
      String where = file + ": group " + name;
      only(group, GROUP_KEYS, where);
      require(groupNames.add(name), where + ": a second group of that name");
      var rules = new ArrayList<Rule>();
      for (Object r : list(group.get("rules"), where + ": rules")) {
        Map<?, ?> rule = map(r, where + ": a rule");
        String alert = text(rule.get("alert"), where + ": a rule's alert");
        String at = where + ", alert " + alert;
        only(rule, RULE_KEYS, at);
        require(ALERT_NAME.matcher(alert).matches(), at + ": the name is not UpperCamelCase");
        require(alertNames.add(alert), at + ": a second alert of that name");
        String expr = text(rule.get("expr"), at + ": expr");
        String duration = text(rule.get("for"), at + ": for");
        require(DURATION.matcher(duration).matches(), at + ": for: '" + duration
            + "' is not a duration such as 5m");
        Map<String, String> labels = texts(rule.get("labels"), at + ": labels");
        require(SEVERITIES.contains(labels.get("severity")), at + ": labels.severity is '"
            + labels.get("severity") + "', not one of " + SEVERITIES);
        Map<String, String> annotations = texts(rule.get("annotations"), at + ": annotations");
        for (String key : List.of("summary", "description")) {
          require(annotations.containsKey(key), at + ": annotations." + key + " is missing");
        }
        rules.add(new Rule(alert, expr, duration, labels, annotations));
      }
      groups.add(new Group(name, List.copyOf(rules)));
    }
    require(!groups.isEmpty(), file + ": no groups");
    return new AlertRules(List.copyOf(groups));
  }

  /**
   * The group named {@code name}.
   *
   * @throws IllegalArgumentException naming the groups there are
   */
  public Group group(String name) {
    return groups.stream().filter(g -> g.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no group " + name + " (groups: "
            + groups.stream().map(Group::name).toList() + ")"));
  }

  /** A metric an expression selects, with the label names its matchers name. */
  public record Selector(String metric, Set<String> labels) {}

  private static final Pattern STRING = Pattern.compile(
      "\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
  private static final Pattern BRACES = Pattern.compile(
      "([a-zA-Z_:][a-zA-Z0-9_:]*)?\\s*\\{([^}]*)}");
  private static final Pattern MATCHER = Pattern.compile(
      "([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
  private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*]");
  private static final Pattern GROUPING = Pattern.compile(
      "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER = Pattern.compile(
      "(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "by",
      "without", "on", "ignoring", "group_left", "group_right", "offset", "inf", "nan");

  /**
   * The metrics a PromQL expression selects: every name that is not a function, a keyword, a
   * label in a grouping clause or a matcher, each with the label names of its matchers.
   */
  public static List<Selector> selectors(String expr) {
    String text = STRING.matcher(expr).replaceAll("\"\"");
    var found = new ArrayList<Selector>();
    Matcher braces = BRACES.matcher(text);
    var rest = new StringBuilder();
    while (braces.find()) {
      var labels = new TreeSet<String>();
      Matcher m = MATCHER.matcher(braces.group(2));
      while (m.find()) {
        labels.add(m.group(1));
      }
      String metric = braces.group(1);
      if (metric == null || KEYWORDS.contains(metric)) {
        throw new IllegalArgumentException("a selector without a metric name in: " + expr);
      }
      found.add(new Selector(metric, labels));
      braces.appendReplacement(rest, " ");
    }
    braces.appendTail(rest);
    text = GROUPING.matcher(RANGE.matcher(rest).replaceAll(" ")).replaceAll(" ");
    Matcher id = IDENTIFIER.matcher(text);
    while (id.find()) {
      if (id.group(2) == null && !KEYWORDS.contains(id.group(1).toLowerCase(Locale.ROOT))) {
        found.add(new Selector(id.group(1), Set.of()));
      }
    }
    return found;
  }

  /**
   * What a Prometheus text-format scrape exports: each sample name with the label names its
   * series carry (a family declared by {@code # TYPE} without samples yet is there with none;
   * a histogram's or summary's also as {@code _bucket}, {@code _count} and {@code _sum}).
   */
  public static Map<String, Set<String>> exported(String scrape) {
    var names = new TreeMap<String, Set<String>>();
    Pattern type = Pattern.compile("# TYPE (\\S+) (\\S+)");
    Pattern sample = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+\\S+.*");
    Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");
    for (String line : scrape.lines().toList()) {
      Matcher t = type.matcher(line);
      if (t.matches()) {
        names.computeIfAbsent(t.group(1), k -> new TreeSet<>());
        if (t.group(2).equals("histogram") || t.group(2).equals("summary")) {
          for (String suffix : List.of("_bucket", "_count", "_sum")) {
            names.computeIfAbsent(t.group(1) + suffix, k -> new TreeSet<>());
          }
        }
        continue;
      }
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher s = sample.matcher(line);
      if (s.matches()) {
        Set<String> labels = names.computeIfAbsent(s.group(1), k -> new TreeSet<>());
        if (s.group(3) != null) {
          Matcher l = label.matcher(s.group(3));
          while (l.find()) {
            labels.add(l.group(1));
          }
        }
      }
    }
    return names;
  }

  /**
   * What the rules of {@code group} use that {@code exported} lacks: a metric name not exported,
   * or a label name its series do not carry; empty when every expression is satisfied.
   */
  public static List<String> missing(Group group, Map<String, Set<String>> exported) {
    var problems = new LinkedHashSet<String>();
    for (Rule rule : group.rules()) {
      for (Selector s : selectors(rule.expr())) {
        Set<String> labels = exported.get(s.metric());
        if (labels == null) {
          problems.add(rule.alert() + ": " + s.metric() + " is not exported");
        } else if (!labels.containsAll(s.labels())) {
          var absent = new TreeSet<>(s.labels());
          absent.removeAll(labels);
          problems.add(rule.alert() + ": " + s.metric() + " has no label " + absent
              + " (its labels: " + labels + ")");
        }
      }
    }
    return List.copyOf(problems);
  }

  private static Map<?, ?> map(Object o, String what) {
    require(o instanceof Map<?, ?>, what + " is not a map");
    return (Map<?, ?>) o;
  }

  private static List<?> list(Object o, String what) {
    require(o instanceof List<?> l && !l.isEmpty(), what + " is not a list of one or more");
    return (List<?>) o;
  }

  private static String text(Object o, String what) {
    require(o instanceof String s && !s.isBlank(), what + " is missing or not text");
    return ((String) o).strip();
  }

  private static Map<String, String> texts(Object o, String what) {
    var m = new LinkedHashMap<String, String>();
    map(o, what).forEach((k, v) -> m.put(String.valueOf(k), text(v, what + "." + k)));
    return m;
  }

  private static void only(Map<?, ?> map, Set<String> allowed, String what) {
    for (Object key : map.keySet()) {
      require(allowed.contains(String.valueOf(key)), what + ": unknown field '" + key
          + "' (allowed: " + new TreeSet<>(allowed) + ")");
    }
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
