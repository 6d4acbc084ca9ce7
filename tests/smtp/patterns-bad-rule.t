# patterns: a broken rule fails the plugin's init with FILE:LINE; the
# handler answers 421 4.3.0 and exits 111 rather than run without it.
!file rules # fine\nsender glob *@x.example reject 550 5.7.1 ok\nheader regex ^Subject:(unclosed reject 550 5.7.1 broken\n
!conf [smtpd]
!conf filters = patterns
!conf [plugin patterns]
!conf rules = rules
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 111
!log plugin patterns: init failed: /
!log /rules:3: bad regex \"^Subject:(unclosed\":
