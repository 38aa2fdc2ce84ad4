import Logging

extension MessagingEngine {
    /// The gateway when its table can be reloaded (the real service; tests may run on a fixed one).
    var reloadableGateway: ReloadableGateway? { gateway as? ReloadableGateway }

    /// Loads the carriers again (`SIGHUP`, `POST /admin/reload`). A table with errors is refused, its diagnostics
    /// logged one per line, and the current table keeps serving.
    /// - Parameter trigger: `signal` or `api`, for the log.
    /// - Returns: the table now serving.
    /// - Throws: ``ServiceError`` `not-reloadable` (409) or `table-refused` (422, with the diagnostics).
    func reloadTable(trigger: String) throws(ServiceError) -> TableInfo {
        guard let gateway = reloadableGateway else {
            throw ServiceError(
                status: 409, code: "not-reloadable", message: "this service's carriers cannot be reloaded")
        }
        do {
            let info = try gateway.reload()
            metrics.tableReload(succeeded: true, carriers: info.carriers.count)
            channelCache.removeAll()
            logger.notice(
                "adapter table reloaded",
                metadata: [
                    "trigger": "\(trigger)", "version": "\(info.version)", "carriers": "\(info.carriers.count)",
                ])
            return info
        } catch {
            metrics.tableReload(succeeded: false, carriers: nil)
            let current = gateway.info
            logger.error(
                "adapter table refused; still serving the previous one",
                metadata: [
                    "trigger": "\(trigger)", "version": "\(current.version)",
                    "errors": "\(error.diagnostics.count)",
                ])
            for line in error.diagnostics { logger.error("\(line)") }
            throw ServiceError(
                status: 422, code: "table-refused",
                message: "the carriers have errors; the previous table (\(current.version)) keeps serving",
                errors: error.diagnostics.map {
                    .init(type: "invalid", code: "definition-error", message: $0, attribute: "carriers")
                })
        }
    }
}
