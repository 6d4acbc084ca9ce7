# patterns: without rules = FILE, or with a missing file, init fails.
!conf [smtpd]
!conf filters = patterns
!conf [plugin patterns]
!conf rules = nonexistent
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 111
!log plugin patterns: init failed: /
!log /nonexistent: No such file or directory
