from rnn_lab.cli import main

raise SystemExit(main())
