import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A `carrier` child process started with `posix_spawn`, for the CLI tests; the parts of Foundation's `Process` they
/// use, without its start-up. On Linux, `Process.run()` first reads `/proc/self/fd` copying 256 bytes per entry, past
/// the end of the directory buffer for the last one: with ~1,400 descriptors open (a test process running many
/// servers at once) the copy left mapped memory and the whole test run crashed (seen once in CI, in `CLI.run`).
final class ChildProcess: @unchecked Sendable {
    let processIdentifier: pid_t
    /// The read ends of the child's standard output and error, when captured.
    let standardOutput: FileHandle?
    let standardError: FileHandle?
    /// The write end of the child's standard input (nil: it reads /dev/null).
    let standardInput: FileHandle?
    private let state = NSLock()
    /// Protected by `state`: the exit status once reaped.
    private var status: Int32?

    /// What to do with one of the child's standard streams.
    enum Stream {
        case pipe
        case null
    }

    /// Starts `CLI.binary` with `arguments`; every descriptor of this process above 2 is closed in the child.
    init(
        arguments: [String], directory: URL? = nil, environment: [String: String]? = nil, input: Stream = .null,
        output: Stream = .pipe, error: Stream = .pipe
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        func connect(_ stream: Stream, to target: Int32, childReads: Bool) throws -> FileHandle? {
            guard stream == .pipe else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", childReads ? O_RDONLY : O_WRONLY, 0)
                return nil
            }
            var fds: [Int32] = [-1, -1]
            // Close-on-exec: no other child started meanwhile (system(), another test) holds an end open.
            guard Self.pipe2(&fds, O_CLOEXEC) == 0 else {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            let (child, parent) = childReads ? (fds[0], fds[1]) : (fds[1], fds[0])
            childEnds.append(child)
            posix_spawn_file_actions_adddup2(&actions, child, target)
            return FileHandle(fileDescriptor: parent, closeOnDealloc: true)
        }
        standardInput = try connect(input, to: 0, childReads: true)
        standardOutput = try connect(output, to: 1, childReads: false)
        standardError = try connect(error, to: 2, childReads: false)
        _ = Self.addCloseFrom(&actions, 3)
        if let directory { _ = Self.addChdir(&actions, directory.path) }

        let argv = ([CLI.binary.path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let variables = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") }
        let envp = variables + [nil]
        defer { for pointer in variables { free(pointer) } }
        var pid: pid_t = 0
        let started = posix_spawn(&pid, CLI.binary.path, &actions, nil, argv, envp)
        guard started == 0 else { throw POSIXError(POSIXErrorCode(rawValue: started) ?? .EIO) }
        processIdentifier = pid
    }

    // glibc functions (all in Debian 12's 2.36) that Swift's Glibc module leaves out with the other GNU extensions.
    private typealias FileActions = UnsafeMutablePointer<posix_spawn_file_actions_t>
    /// Closes every descriptor from the given one up in the child.
    private static let addCloseFrom = glibc(
        "posix_spawn_file_actions_addclosefrom_np", as: (@convention(c) (FileActions, Int32) -> Int32).self)
    private static let addChdir = glibc(
        "posix_spawn_file_actions_addchdir_np", as: (@convention(c) (FileActions, UnsafePointer<CChar>) -> Int32).self)
    private static let pipe2 = glibc(
        "pipe2", as: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self)

    private static func glibc<Function>(_ name: String, as type: Function.Type) -> Function {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else {
            fatalError("glibc lacks \(name) (needs 2.34 or later)")
        }
        return unsafeBitCast(symbol, to: type)
    }

    /// SIGTERM.
    func terminate() { kill(processIdentifier, SIGTERM) }

    /// Whether the child has not exited yet (reaps it when it has).
    var isRunning: Bool { reap(blocking: false) == nil }

    /// Blocks until the child exits.
    func waitUntilExit() { _ = reap(blocking: true) }

    /// The exit code, or the number of the signal that ended the child (as `Process` reports it).
    var terminationStatus: Int32 { reap(blocking: true) ?? -1 }

    private func reap(blocking: Bool) -> Int32? {
        state.lock()
        defer { state.unlock() }
        if let status { return status }
        var raw: Int32 = 0
        var result: pid_t
        repeat {
            result = waitpid(processIdentifier, &raw, blocking ? 0 : WNOHANG)
        } while result == -1 && errno == EINTR
        guard result == processIdentifier else { return nil }
        let signal = raw & 0x7f
        status = signal == 0 ? (raw >> 8) & 0xff : signal
        return status
    }
}
