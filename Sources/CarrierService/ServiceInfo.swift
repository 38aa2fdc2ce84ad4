/// Placeholder so the target builds; replaced by the service implementation.
enum ServiceInfo {
    static let name = "carrier-serve"
}
