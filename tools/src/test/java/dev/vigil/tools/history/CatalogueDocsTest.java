package dev.vigil.tools.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.profile.FeatureCatalogue;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/features.md's table is the catalogue's, generated ({@code ./vigil catalogue --docs
 * docs/features.md}): a feature added, renamed or redescribed without regenerating it fails here.
 */
class CatalogueDocsTest {
  @Test
  void theDocumentedCatalogueIsTheGeneratedOne() throws Exception {
    String docs = Files.readString(Path.of("..", "docs", "features.md"));
    assertThat(FeaturesCommand.Catalogue.withTable(docs))
        .as("docs/features.md is stale: run ./vigil catalogue --docs docs/features.md")
        .isEqualTo(docs);
    for (FeatureCatalogue.Feature f : FeatureCatalogue.all()) {
      assertThat(docs).contains("`" + f.name() + "`");
    }
  }
}
