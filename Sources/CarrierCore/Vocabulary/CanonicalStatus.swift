/// The statuses every carrier's statuses are mapped to.
public enum CanonicalStatus: String, VocabularyTerm {
    case queued, sent, delivered, read, failed, undelivered, received
}
