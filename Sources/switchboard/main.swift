import Foundation
import SwitchboardCLI

// The `switchboard` executable: every command lives in SwitchboardCLI.
SwitchboardCommandLine.bootstrap()
exit(await SwitchboardCommandLine.run(Array(CommandLine.arguments.dropFirst())))
