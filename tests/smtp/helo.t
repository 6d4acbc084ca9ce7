# HELO gets the one-line, non-extended reply (RFC 5321 4.1.1.1); it needs
# one domain or address literal; mail works after it and the Received
# field says "with SMTP".
!user example.test/alice
S: 220 mx.example.test ESMTP cartero
C: HELO
S: 501 5.5.4 This command needs an argument
C: HELO two words
S: 501 5.5.4 Invalid domain name or address literal
C: HELO [192.0.2.7]
S: 250 mx.example.test
C: HELO client.example
S: 250 mx.example.test
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: hello
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!header example.test/alice Received: from client.example ([192.0.2.7])
!header example.test/alice *by mx.example.test (cartero) with SMTP id *
!log code=501 status=5.5.4 cmd=HELO
