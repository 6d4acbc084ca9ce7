# patterns: a code and status that disagree are a rule error at load.
!file rules sender glob * reject 450 5.7.1 mixed up\n
!conf [smtpd]
!conf filters = patterns
!conf [plugin patterns]
!conf rules = rules
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 111
!log /rules:1: status 5.7.1 does not agree with code 450
