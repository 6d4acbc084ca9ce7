# A filter named as a store: the loader names the missing role.
!conf [domain example.net]
!conf store = limits
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 100
!log plugin limits has no store role
