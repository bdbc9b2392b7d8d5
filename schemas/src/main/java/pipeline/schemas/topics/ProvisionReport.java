package pipeline.schemas.topics;

import java.util.List;

/**
 * What a provisioning run found and did.
 *
 * @param created     topics that were missing and are now created
 * @param unchanged   topics that existed as specified
 * @param differences existing topics that differ from the catalogue, one line each, naming topic,
 *                    setting, expected and actual value; they are reported, never changed silently
 */
public record ProvisionReport(List<String> created, List<String> unchanged, List<String> differences) {

    public boolean matchesCatalogue() {
        return differences.isEmpty();
    }
}
