# An unknown key in the auth plugin's section fails the plugin's load:
# -ERR [SYS/TEMP], EOF, exit 111 (temporary), logged as plugin-load.
!conf bogus = 1
!file users alice@example.test:s3cret\n
S: -ERR [SYS/TEMP] Service temporarily unavailable
S: <EOF>
!exit 111
!log event=plugin-load
!log unknown key \"bogus\" in [plugin testauth]
