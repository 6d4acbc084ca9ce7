# A command ended by a bare LF is refused 500 5.5.2 and not executed: the
# MAIL is not taken (RCPT gets 503), QUIT\n does not end the session.
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C> MAIL FROM:<bob@example.net>\n
S: 500 5.5.2 Command line not terminated by CRLF (bare CR or LF)
C: RCPT TO:<alice@example.test>
S: 503 5.5.1 Need MAIL command first
C> QUIT\n
S: 500 5.5.2 Command line not terminated by CRLF (bare CR or LF)
C> \n
S: 500 5.5.2 Command line not terminated by CRLF (bare CR or LF)
C> NOOP\nNOOP\r\n
S: 500 5.5.2 Command line not terminated by CRLF (bare CR or LF)
S: 250 2.0.0 Ok
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log code=500 status=5.5.2 cmd=- text="Command line not terminated by CRLF (bare CR or LF)"
