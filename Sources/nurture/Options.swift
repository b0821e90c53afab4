import ArgumentParser
import NurtureCampaigns
import NurtureConfig
import NurtureCore

struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file (default: ./nurture.yml, then /etc/nurture/nurture.yml).")
    var config: String?

    func load() throws -> Configuration {
        do {
            return try ConfigurationLoader.load(explicitPath: config)
        } catch {
            let first = error.diagnostics.first.map(\.description) ?? "invalid configuration"
            throw CommandFailure(message: first + Workspace.more(error.diagnostics.count - 1))
        }
    }
}

struct ProspectOptions: ParsableArguments {
    @Option(
        name: .customLong("var"),
        help: ArgumentHelp("A prospect field for the templates, e.g. --var first_name=Dana.", valueName: "key=value"))
    var variables: [String] = []

    func prospect(email: String) throws -> Prospect {
        let address: EmailAddress
        do {
            address = try EmailAddress(email)
        } catch {
            throw CommandFailure(message: "invalid email: \(error)")
        }
        return Prospect(email: address, attributes: try attributes())
    }

    /// The `--var key=value` fields.
    func attributes() throws -> [String: String] {
        var attributes: [String: String] = [:]
        for pair in variables {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw CommandFailure(message: "`--var \(pair)` must be key=value, like --var first_name=Dana")
            }
            attributes[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return attributes
    }
}
