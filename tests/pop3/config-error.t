# An unknown key in [pop3d] is a configuration error: -ERR [SYS/TEMP]
# instead of a greeting, EOF, exit 100, and a log line naming file:line.
!pop3d bogus = 1
!file users alice@example.test:s3cret\n
S: -ERR [SYS/TEMP] Service temporarily unavailable
S: <EOF>
!exit 100
!log event=config error=
!log unknown key \"bogus\" in [pop3d]
