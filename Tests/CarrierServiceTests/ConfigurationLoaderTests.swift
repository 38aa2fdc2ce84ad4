import CarrierService
import Foundation
import Testing

/// Strict configuration: unknown keys are errors with a did-you-mean; the environment overrides the file.
struct ConfigurationLoaderTests {
    static func load(_ json: String, environment: [String: String] = [:]) throws(ConfigurationError)
        -> ServiceConfiguration
    {
        try ConfigurationLoader.load(file: Data(json.utf8), path: "c.json", environment: environment)
    }

    static func problems(_ json: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try load(json, environment: environment)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func aMisspelledKeyIsNamedWithADidYouMean() {
        #expect(
            Self.problems(#"{"prot": 9000}"#) == [
                "c.json: error: unknown key 'prot' (did you mean 'port'?) [unknown-key]"
            ])
    }

    @Test func misspelledKeysInsideChannelsAndGrantsAreNamed() {
        let problems = Self.problems(
            """
            {"apiKeys": {"literal:k": {"account": "a", "scope": ["messaging"]}},
             "channels": [{"id": "c", "account": "a", "channel": "sms", "provider": "p", "address": "+1",
                           "settings": {}, "ratePerSec": 2}]}
            """)
        #expect(
            problems == [
                "c.json: error: unknown key 'scope' in apiKeys (grant 1) (did you mean 'scopes'?) [unknown-key]",
                "c.json: error: unknown key 'ratePerSec' in channels[0] (did you mean 'ratePerSecond'?) [unknown-key]",
            ])
    }

    @Test func everyProblemIsReportedNotJustTheFirst() {
        #expect(Self.problems(#"{"hots": "x", "databasePth": "y"}"#).count == 2)
    }

    @Test func wrongTypesNameTheKeyButNotTheValue() {
        let problems = Self.problems(#"{"port": "sk-live-123"}"#)
        #expect(problems.count == 1)
        #expect(problems.first?.contains("'port'") == true)
        #expect(problems.first?.contains("sk-live-123") == false)
    }

    @Test func outOfRangeValuesAreProblems() {
        #expect(Self.problems(#"{"port": 70000}"#).first?.contains("port must be between 0 and 65535") == true)
    }

    @Test func theEnvironmentOverridesTheFile() throws {
        let configuration = try Self.load(
            #"{"port": 8081, "host": "127.0.0.1"}"#,
            environment: [
                "CARRIER_SERVE_PORT": "9090", "CARRIER_SERVE_DATABASE_PATH": "/tmp/x.sqlite",
                "CARRIER_SERVE_DISPATCHER": "false", "CARRIER_SERVE_CARRIER_HOSTS": #"["a.example.com"]"#,
                "CARRIER_SERVE_HOST": "0.0.0.0", "CARRIER_SERVE_SECRETS_KEY": "env:KEY",
                "CARRIER_API_KEY": "not ours", "PATH": "/bin",
            ])
        #expect(configuration.port == 9090)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.databasePath == "/tmp/x.sqlite")
        #expect(configuration.dispatcher == false)
        #expect(configuration.carrierHosts == ["a.example.com"])
        #expect(configuration.secretsKey == "env:KEY")
    }

    @Test func anUnknownServeVariableIsAnError() {
        #expect(
            Self.problems("{}", environment: ["CARRIER_SERVE_PROT": "1"]) == [
                "environment: error: unknown variable 'CARRIER_SERVE_PROT' (did you mean 'CARRIER_SERVE_PORT'?) [unknown-key]"
            ])
    }

    @Test func everyKeyHasAnEnvironmentName() {
        #expect(ConfigurationLoader.environmentName(for: "maxSendAttempts") == "CARRIER_SERVE_MAX_SEND_ATTEMPTS")
        #expect(ConfigurationLoader.environmentName(for: "publicBaseURL") == "CARRIER_SERVE_PUBLIC_BASE_URL")
        let names = ConfigurationLoader.keys.map(ConfigurationLoader.environmentName(for:))
        #expect(Set(names).count == names.count)
    }

    @Test func theReadmeListsEveryEnvironmentName() throws {
        let readme = try String(contentsOf: repositoryRootURL().appendingPathComponent("README.md"), encoding: .utf8)
        for key in ConfigurationLoader.keys {
            #expect(readme.contains(ConfigurationLoader.environmentName(for: key)), "README lacks \(key)")
        }
    }

    @Test func theDefaultsLoadFromAnEmptyFile() throws {
        #expect(try Self.load("{}") == ServiceConfiguration())
    }

    func repositoryRootURL() -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
}
