package pipeline.modelstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static pipeline.modelstore.ModelVerifierTest.bundled;
import static pipeline.modelstore.ModelVerifierTest.bundledBytes;

import org.junit.jupiter.api.Test;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;

/** The one rule for what serves, as the worker, the trainer and the gateway apply it to {@code models}. */
class ServedModelTest {

    @Test
    void theLatestPromotedRecordThatVerifiesServesAndAnOlderOneRepublishedRollsBack() throws Exception {
        ServedModel model = ServedModel.named("fashion-lenet5");

        assertThat(model.consider(bundled(1, bundledBytes()))).isTrue();
        ModelVersion rejected = bundled(2, bundledBytes());
        rejected.setStatus(ModelStatus.REJECTED);
        assertThat(model.consider(rejected)).as("a rejected version").isFalse();
        assertThat(model.consider(bundled(3, bundledBytes()))).isTrue();
        assertThat(model.consider(bundled(3, bundledBytes()))).as("the version serving, again").isFalse();
        assertThat(model.consider(bundled(1, bundledBytes()))).as("v1 republished: a rollback").isTrue();

        assertThat(model.record().getVersion()).isEqualTo(1);
        assertThat(model.snapshot().version()).isEqualTo(1);
    }

    @Test
    void aPromotedRecordThatFailsVerificationChangesNothing() throws Exception {
        ServedModel model = ServedModel.named("fashion-lenet5");
        model.consider(bundled(1, bundledBytes()));
        ModelVersion damaged = bundled(2, bundledBytes());
        damaged.setWeightsSha256("0".repeat(64));

        assertThatThrownBy(() -> model.consider(damaged)).isInstanceOf(ModelRefusedException.class).hasMessageContaining("v2");
        assertThat(model.record().getVersion()).isEqualTo(1);
    }

    @Test
    void otherModelsAreNotConsideredAndWithoutANameTheFirstPromotedOneIsFollowed() throws Exception {
        ServedModel named = ServedModel.named("defects");
        assertThat(named.consider(bundled(1, bundledBytes()))).isFalse();
        assertThat(named.record()).isNull();

        ServedModel unnamed = ServedModel.from(null);
        assertThat(unnamed.consider(bundled(4, bundledBytes()))).isTrue();
        assertThat(unnamed.name()).isEqualTo("fashion-lenet5");
    }
}
