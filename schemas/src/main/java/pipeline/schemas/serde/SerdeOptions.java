package pipeline.schemas.serde;

import java.util.Locale;
import java.util.Map;
import pipeline.schemas.registry.SubjectNameStrategy;

/**
 * How a serializer names subjects and whether it may register schemas. Kafka-style keys, named as
 * in Confluent's serializers so existing configurations carry over.
 *
 * @param strategy       how the subject is named
 * @param autoRegister   register the writer schema when it is new; otherwise it must already be registered
 * @param specificReader deserializers given no class return the generated class named by the writer schema
 */
public record SerdeOptions(SubjectNameStrategy strategy, boolean autoRegister, boolean specificReader) {

    public static final String AUTO_REGISTER = "auto.register.schemas";
    public static final String KEY_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_STRATEGY = "value.subject.name.strategy";
    public static final String SPECIFIC_READER = "specific.avro.reader";

    public static final SerdeOptions DEFAULTS = new SerdeOptions(SubjectNameStrategy.TOPIC, true, false);

    public SerdeOptions withAutoRegister(boolean value) {
        return new SerdeOptions(strategy, value, specificReader);
    }

    public static SerdeOptions fromConfigs(Map<String, ?> configs, boolean isKey) {
        Object strategy = configs.get(isKey ? KEY_STRATEGY : VALUE_STRATEGY);
        return new SerdeOptions(
                strategy == null ? DEFAULTS.strategy() : SubjectNameStrategy.parse(strategy.toString()),
                flag(configs, AUTO_REGISTER, DEFAULTS.autoRegister()),
                flag(configs, SPECIFIC_READER, DEFAULTS.specificReader()));
    }

    private static boolean flag(Map<String, ?> configs, String key, boolean fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        return switch (value.toString().trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " is '" + value + "'; expected true or false");
        };
    }
}
