import GeodimCLI

GeodimCommand.mainReportingOneLine()
