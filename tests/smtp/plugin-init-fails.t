# A plugin whose init fails: 421 4.3.0, exit 111, the reason in the log.
!testplugins
!conf [smtpd]
!conf filters = probe
!conf [plugin probe]
!conf fail_init = yes
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 111
!log plugin probe: init failed: probe told to fail
