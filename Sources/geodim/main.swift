import GeodimCLI

GeodimCommand.main()
