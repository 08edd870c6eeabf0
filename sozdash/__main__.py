from sozdash.cli.main import main

raise SystemExit(main())
