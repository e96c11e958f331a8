from logicsvc.cli import main

main()
