import GeodimCLI
GeodimCommand.main()
