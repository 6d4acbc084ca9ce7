# The small commands: NOOP (argument ignored), HELP, VRFY/EXPN (252, never
# a verdict), the obsolete SEND/SOML/SAML/TURN (502), unknown verbs (500),
# and QUIT, which takes no argument.
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: NOOP
S: 250 2.0.0 Ok
C: NOOP some argument
S: 250 2.0.0 Ok
C: HELP
S: 214 2.0.0 Commands: HELO EHLO AUTH MAIL RCPT DATA BDAT RSET NOOP QUIT HELP VRFY EXPN; see RFC 5321
C: HELP MAIL
S: 214 2.0.0 Commands: *
C: VRFY alice
S: 252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery
C: VRFY
S: 501 5.5.4 This command needs an argument
C: EXPN staff
S: 252 2.5.0 Cannot EXPN list, but will accept message and attempt delivery
C: SEND FROM:<a@example.net>
S: 502 5.5.1 Obsolete command, not implemented (RFC 5321)
C: SOML FROM:<a@example.net>
S: 502 5.5.1 Obsolete command, not implemented (RFC 5321)
C: SAML FROM:<a@example.net>
S: 502 5.5.1 Obsolete command, not implemented (RFC 5321)
C: TURN
S: 502 5.5.1 Obsolete command, not implemented (RFC 5321)
C: XYZZ
S: 500 5.5.2 Command not recognized
C: NOOPS
S: 500 5.5.2 Command not recognized
C: NOP
S: 500 5.5.2 Command not recognized
C:
S: 500 5.5.2 Command not recognized
C: QUIT now
S: 501 5.5.4 This command takes no argument
C: NOOP
S: 250 2.0.0 Ok
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log code=502 status=5.5.1 cmd=TURN
!log code=500 status=5.5.2 cmd=unknown
!log code=501 status=5.5.4 cmd=QUIT
