import Foundation
import SwitchboardCLI

// The `switchboard` executable: every command lives in SwitchboardCLI.
SwitchboardCommandLine.bootstrap()
SwitchboardCommandLine.exitOnInterrupt(Array(CommandLine.arguments.dropFirst()))
exit(await SwitchboardCommandLine.run(Array(CommandLine.arguments.dropFirst())))
