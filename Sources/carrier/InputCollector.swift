import ArgumentParser
import CarrierCore
import Foundation

/// Turns command-line paths into definition files.
enum InputCollector {
    /// Files named directly; a directory's own `carrier.yaml`, or else every `carrier.yaml` one level below it.
    static func collect(_ paths: [String]) throws -> [InputFile] {
        let fm = FileManager.default
        var files: [InputFile] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ValidationError("no such file or directory: \(path)")
            }
            if isDirectory.boolValue {
                let own = (path as NSString).appendingPathComponent("carrier.yaml")
                if fm.fileExists(atPath: own) {
                    files.append(try read(own))
                    continue
                }
                let entries = (try? fm.contentsOfDirectory(atPath: path)) ?? []
                for entry in entries.sorted() {
                    let candidate = (path as NSString).appendingPathComponent(entry + "/carrier.yaml")
                    if fm.fileExists(atPath: candidate) { files.append(try read(candidate)) }
                }
            } else {
                files.append(try read(path))
            }
        }
        return files
    }

    static func read(_ path: String) throws -> InputFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path)")
        }
        return InputFile(path: normalize(path), bytes: [UInt8](data))
    }

    /// `./carriers/x/carrier.yaml` -> `carriers/x/carrier.yaml`, so diagnostics read the same however invoked.
    static func normalize(_ path: String) -> String {
        var p = path
        while p.hasPrefix("./") { p.removeFirst(2) }
        return p.replacingOccurrences(of: "//", with: "/")
    }
}
