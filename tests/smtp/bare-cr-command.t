# A bare CR inside a command line is refused 500 5.5.2 and the line is not
# executed: a CR never splits or ends a command.
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C> MAIL FROM:<bob@example.net>\rRSET\r\n
S: 500 5.5.2 Command line not terminated by CRLF (bare CR or LF)
C: RCPT TO:<alice@example.test>
S: 503 5.5.1 Need MAIL command first
C> QUIT\rNOOP\r\n
S: 500 5.5.2 Command line not terminated by CRLF (bare CR or LF)
C> NOOP\r\r\n
S: 500 5.5.2 Command line not terminated by CRLF (bare CR or LF)
C> NOOP\r
!sleep 0.2
C> \n
S: 250 2.0.0 Ok
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
