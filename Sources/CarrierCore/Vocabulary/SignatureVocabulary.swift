/// The digest of an HMAC (`auth.algorithm`, and the `hmac-*-body` signature schemes).
public enum HMACAlgorithm: String, VocabularyTerm {
    case sha1, sha256, sha512
}

/// How a signature's bytes are written in a header or parameter (`auth.encoding`, `inbound.signature.encoding`).
public enum SignatureEncoding: String, VocabularyTerm {
    case hex, base64
}

/// Vonage (Nexmo) signed-callback methods (`inbound.signature.algorithm` of `vonage-sig`).
public enum VonageSignatureMethod: String, VocabularyTerm {
    /// MD5 of the parameter string followed by the secret.
    case md5hash
    /// HMAC of the parameter string keyed with the secret.
    case md5, sha1, sha256, sha512
}
