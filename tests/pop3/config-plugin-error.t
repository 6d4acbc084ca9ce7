# An unknown key in the auth plugin's section fails the plugin's load:
# -ERR [SYS/TEMP], EOF, exit 100 (a configuration error), logged as config.
!conf bogus = 1
!file users alice@example.test:s3cret\n
S: -ERR [SYS/TEMP] Service temporarily unavailable
S: <EOF>
!exit 100
!log event=config
!log unknown key \"bogus\" in [plugin testauth]
