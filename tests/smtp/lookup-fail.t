# A maildrop lookup that fails for a reason other than "no such file" is a
# temporary failure, 451 4.3.0 at RCPT, not "unknown user".  Here the path
# template repeats %u so the last component is longer than NAME_MAX.
!user example.test/alice
!conf [domain long.example]
!conf store = maildir
!conf path = mail/example.test/%u%u%u%u%u
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij@long.example>
S: 451 4.3.0 Temporary recipient lookup failure; try again later
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log event=lookup
!log code=451 status=4.3.0 cmd=RCPT
