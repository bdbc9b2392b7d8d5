package pipeline.modelstore;

import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;

/**
 * Which version of one model serves, by the rule every service applies to the records of
 * {@code models} in order: the most recent {@code PROMOTED} record of the model's name (so that
 * republishing an older version rolls back) whose weights pass the {@link ModelVerifier} against the
 * version serving before it. A record that fails changes nothing. Workers swap to that version, the
 * trainer fine-tunes it, the gateway reports it. Not thread-safe.
 */
public final class ServedModel {

    private final ModelVerifier verifier = new ModelVerifier();
    private String name;
    private ModelVersion record;
    private ModelSnapshot snapshot;

    /** For the model {@code name}. */
    public static ServedModel named(String name) {
        return new ServedModel(name, null);
    }

    /**
     * Starting from {@code initial} (a model file a worker was started with), or, when it is
     * {@code null}, for whichever model is promoted first.
     */
    public static ServedModel from(ModelSnapshot initial) {
        return new ServedModel(initial == null ? null : initial.name(), initial);
    }

    private ServedModel(String name, ModelSnapshot initial) {
        this.name = name;
        this.snapshot = initial;
    }

    /**
     * Reads the next record of {@code models}: whether it now serves — a PROMOTED record of this
     * model, of another version than the one serving, that verifies.
     *
     * @throws ModelRefusedException when it is such a record but fails verification; the version
     *                               serving keeps serving
     */
    public boolean consider(ModelVersion version) throws ModelRefusedException {
        if (version.getStatus() != ModelStatus.PROMOTED || (name != null && !name.equals(version.getName().toString()))) {
            return false;
        }
        if (snapshot != null && snapshot.version() == version.getVersion()) {
            return false;
        }
        adopt(version, verifier.verify(version, snapshot));
        return true;
    }

    /** Records a promoted version its publisher has just verified and published, without reading it back. */
    public void adopt(ModelVersion version, ModelSnapshot verified) {
        this.name = version.getName().toString();
        this.record = version;
        this.snapshot = verified;
    }

    /** The model's name; {@code null} until a version was promoted when started without one. */
    public String name() {
        return name;
    }

    /** The version serving, or {@code null} when none is promoted (or only the initial model file serves). */
    public ModelVersion record() {
        return record;
    }

    /** The serving version's model, ready to infer, or {@code null} when none serves. */
    public ModelSnapshot snapshot() {
        return snapshot;
    }
}
