# patterns: a 421 client rule defers at connect and ends the session.
!file rules client glob 192.0.2.7 reject 421 4.7.0 Too busy for you\n
!conf [smtpd]
!conf filters = patterns
!conf [plugin patterns]
!conf rules = rules
S: 421 4.7.0 Too busy for you
S: <EOF>
!log /rules:1 field=client verdict=defer code=421 value="192.0.2.7"
