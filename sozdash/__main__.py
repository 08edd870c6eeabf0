from sozdash.cli import main

raise SystemExit(main())
