# A [pop3d] value out of range (max_errors is a whole number) is a
# configuration error: -ERR [SYS/TEMP], exit 100.
!pop3d max_errors = many
S: -ERR [SYS/TEMP] Service temporarily unavailable
S: <EOF>
!exit 100
!log max_errors must be a whole number
