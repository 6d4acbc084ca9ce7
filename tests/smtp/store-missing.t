# A [domain] whose store plugin does not exist: the handler cannot store
# mail, so it refuses service (421 4.3.0) and exits 111 (temporary).
!conf [domain bad.example]
!conf store = nosuch
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 111
!log event=plugin-load
!log nosuch
