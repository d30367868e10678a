import Foundation

/// Which entry may stand where in a catalog, and what each one is. Anything that is not
/// understood is a violation with the entry's path and a fix, because an entry skipped
/// silently (`orders.YAML`, a broken link, a misspelt `conectors` folder) would make its
/// connectors vanish from the catalog and be deleted from the cluster.
///
/// ```
/// switchboard.yaml, plugins.yaml, teams/     read; other YAML at the root is refused
/// teams/<team>/                             one folder per team
/// teams/<team>/team.yaml, connectors/       read; nothing else but notes (*.md, .gitkeep)
/// teams/<team>/connectors/<name>.yaml|.yml  one connector each; nothing else but notes
/// ```
///
/// Hidden entries at the root (`.git`, `.github`) are not the catalog's and are left alone;
/// below `teams/` only `.gitkeep` and `.keep` may be hidden.
extension CatalogLoader {
    /// What the folder structure held.
    struct Layout {
        var platform: YAMLMapping?
        var plugins: YAMLMapping?
        var teams: [(name: String, yaml: YAMLMapping?)] = []
        /// Connector files as text: each is parsed when it is read into its definition, so that
        /// one YAML tree is alive at a time (a catalog of 20,000 files held all their trees at once).
        var connectors: [(team: String, path: String, text: String)] = []
        /// Teams whose folder (team.yaml, connectors/ and every file in it) was read without a problem.
        var cleanTeams: Set<String> = []
    }

    static let noteExtensions: Set<String> = ["md"]
    static let placeholders: Set<String> = [".gitkeep", ".keep"]
    static let connectorExtensions: Set<String> = ["yaml", "yml"]

    static func readLayout(_ files: CatalogFiles) -> Layout {
        var layout = Layout()
        guard let rootEntries = files.entries(of: "") else { return layout }
        var teamsFolder: CatalogFiles.Entry?
        for entry in rootEntries where !entry.isHidden {
            switch entry.name {
            case platformFile:
                layout.platform = files.read(entry).flatMap { YAMLMapping.parseFile($0, path: platformFile, context: "platform settings", log: files.log) }
            case pluginsFile:
                layout.plugins = files.read(entry).flatMap { YAMLMapping.parseFile($0, path: pluginsFile, context: "plugin manifest", log: files.log) }
            case "teams":
                if entry.kind == .folder {
                    teamsFolder = entry
                } else {
                    files.unknown(entry, "is a file, but teams/ must be a folder holding one folder per team", fix: "Remove the file and create the teams/ folder.")
                }
            default:
                checkRootEntry(entry, files)
            }
        }
        if layout.platform == nil, !rootEntries.contains(where: { $0.name == platformFile }) {
            files.log.add(Violation(.missingKey, at: SourceLocation(file: platformFile), "The catalog has no \(platformFile).", fix: "Create \(platformFile) with a `clusters:` list, or pass the right folder with --catalog."))
        }
        if let teamsFolder {
            readTeams(teamsFolder, files, into: &layout)
        }
        return layout
    }

    /// Root entries other than the catalog's own: YAML that would not be read, and near misses
    /// of `teams`, are refused; anything else (docs, CI files, an artifact folder) is not the catalog's.
    static func checkRootEntry(_ entry: CatalogFiles.Entry, _ files: CatalogFiles) {
        let lower = entry.name.lowercased()
        if entry.kind == .folder, YAMLMapping.distance(lower, "teams") <= 2 {
            files.unknown(entry, "looks like the teams/ folder, but is not named exactly `teams`, so no team in it would be read", fix: "Rename it to teams/.")
        } else if connectorExtensions.contains(entry.fileExtension.lowercased()) {
            let known = [platformFile, pluginsFile]
            let close = known.first { YAMLMapping.distance(lower, $0) <= 3 }
            files.unknown(entry, "is YAML that Switchboard does not read (the catalog root holds only \(known.joined(separator: " and ")))",
                          fix: close.map { "Rename it to \($0)." } ?? "Move it out of the catalog root, or delete it.")
        }
    }

    static func readTeams(_ teamsFolder: CatalogFiles.Entry, _ files: CatalogFiles, into layout: inout Layout) {
        guard let entries = files.entries(of: teamsFolder.path) else { return }
        for entry in entries {
            if entry.kind == .folder && !entry.isHidden {
                readTeamFolder(entry, files, into: &layout)
            } else if !isNote(entry) {
                files.unknown(entry, entry.kind == .folder
                              ? "is a hidden folder in teams/; Switchboard does not read it"
                              : "is a file in teams/, which holds one folder per team",
                              fix: "Move a team's files into teams/<team>/, or delete it.")
            }
        }
    }

    static func readTeamFolder(_ folder: CatalogFiles.Entry, _ files: CatalogFiles, into layout: inout Layout) {
        let before = files.log.items.count
        let team = folder.name
        guard let entries = files.entries(of: folder.path) else { return }
        var teamYAML: YAMLMapping?
        var sawTeamFile = false
        for entry in entries {
            switch entry.name {
            case "team.yaml":
                sawTeamFile = true
                teamYAML = files.read(entry).flatMap { YAMLMapping.parseFile($0, path: entry.path, context: "team", log: files.log) }
            case "connectors" where entry.kind == .folder:
                readConnectorsFolder(entry, team: team, files, into: &layout)
            case "connectors":
                files.unknown(entry, "is a file, but connectors/ must be a folder holding one file per connector", fix: "Remove the file and create the connectors/ folder.")
            default:
                guard !isNote(entry) else { continue }
                let suggestion = ["team.yaml", "connectors"].first { YAMLMapping.distance(entry.name.lowercased(), $0) <= 3 }
                files.unknown(entry, "is not part of a team folder (which holds team.yaml and connectors/)",
                              fix: suggestion.map { "Rename it to \($0)\($0 == "connectors" ? "/" : "")." } ?? "Move it into connectors/ if it is a connector, or delete it.")
            }
        }
        if !sawTeamFile {
            files.log.add(Violation(.missingKey, at: SourceLocation(file: folder.path), "The folder \(folder.path) has no team.yaml, so '\(team)' is not a known team and its connectors have no owner.",
                                    fix: "Create \(folder.path)/team.yaml with the team's members, or move the connectors to their team's folder."))
        }
        layout.teams.append((team, teamYAML))
        if files.log.items.count == before {
            layout.cleanTeams.insert(team)
        }
    }

    static func readConnectorsFolder(_ folder: CatalogFiles.Entry, team: String, _ files: CatalogFiles, into layout: inout Layout) {
        guard let entries = files.entries(of: folder.path) else { return }
        for entry in entries {
            let fileExtension = entry.fileExtension
            if entry.kind == .file, !entry.isHidden, connectorExtensions.contains(fileExtension) {
                if let text = files.read(entry) {
                    layout.connectors.append((team, entry.path, text))
                }
            } else if isNote(entry) {
                continue
            } else if entry.kind == .folder {
                files.unknown(entry, connectorExtensions.contains(fileExtension.lowercased())
                              ? "is a folder named like a connector file"
                              : "is a folder inside connectors/, where Switchboard reads connector files only",
                              fix: "Replace it with the connector's .yaml file, or move it out of connectors/.")
            } else if connectorExtensions.contains(fileExtension.lowercased()) {
                files.unknown(entry, entry.isHidden ? "is a hidden file, which Switchboard does not read" : "has the extension .\(fileExtension); connector files end in .yaml or .yml, in lower case",
                              fix: "Rename it to \(entry.isHidden ? String(entry.name.drop { $0 == "." }) : entry.name.dropLast(fileExtension.count) + fileExtension.lowercased()), or delete it.")
            } else {
                files.unknown(entry, "is not a connector file (connector files end in .yaml or .yml)", fix: "Rename it to <name>.yaml if it is a connector; otherwise move it out of connectors/.")
            }
        }
    }

    /// Notes and placeholders that may stand anywhere below teams/.
    static func isNote(_ entry: CatalogFiles.Entry) -> Bool {
        entry.kind == .file && (placeholders.contains(entry.name) || (!entry.isHidden && noteExtensions.contains(entry.fileExtension)))
    }
}
