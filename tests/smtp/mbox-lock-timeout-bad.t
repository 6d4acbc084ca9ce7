# The mbox store: a lock_timeout out of range in [plugin mbox] fails its
# init: 421 4.3.0, exit 111, the reason in the log.
!conf [domain mbox.test]
!conf store = mbox
!conf path = mail/%d/%u
!conf [plugin mbox]
!conf lock_timeout = 3601
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 111
!log plugin mbox: init failed: [plugin mbox] lock_timeout must be 0 to 3600 seconds
