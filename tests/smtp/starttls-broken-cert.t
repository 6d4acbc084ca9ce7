# A certificate file that is readable but unusable: STARTTLS is offered
# (only readability is checked without loading GnuTLS), but the command
# gets 454 before any "go ahead", and the session goes on in plaintext.
!user example.test/alice
!file cert.pem garbage\n
!file key.pem garbage\n
!conf [tls]
!conf cert = cert.pem
!conf key = key.pem
S: 220 *
C: EHLO x
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE 26214400
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250-STARTTLS
S: 250 CHUNKING
C: STARTTLS
S: 454 4.7.0 TLS not available due to temporary reason
C: MAIL FROM:<a@example.net>
S: 250 2.1.0 Sender ok
C: STARTTLS
S: 503 5.5.1 STARTTLS not allowed during a mail transaction
C: QUIT
S: 221 *
!log event=tls-failed
