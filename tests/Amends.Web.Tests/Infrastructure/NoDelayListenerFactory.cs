namespace Amends.Web.Tests.Infrastructure;

/// <summary>
/// SmtpServer's listener with Nagle's algorithm off on every connection, as real mail servers run: without it each
/// pipelined reply waits for the client's delayed ACK (about 40 ms a message).
/// </summary>
public sealed class NoDelayListenerFactory : SmtpServer.Net.IEndpointListenerFactory
{
    public SmtpServer.Net.IEndpointListener CreateListener(SmtpServer.IEndpointDefinition endpointDefinition)
    {
        var tcp = new System.Net.Sockets.TcpListener(endpointDefinition.Endpoint);
        tcp.Start();
        return new Listener(tcp);
    }

    private sealed class Listener(System.Net.Sockets.TcpListener tcp) : SmtpServer.Net.IEndpointListener
    {
        public async Task<SmtpServer.IO.ISecurableDuplexPipe> GetPipeAsync(SmtpServer.ISessionContext context, CancellationToken cancellationToken)
        {
            var client = await tcp.AcceptTcpClientAsync(cancellationToken);
            client.NoDelay = true;
            return new Pipe(client);
        }

        public void Dispose() => tcp.Stop();
    }

    /// <summary>A plain (never upgraded to TLS) duplex pipe over the accepted connection.</summary>
    private sealed class Pipe(System.Net.Sockets.TcpClient client) : SmtpServer.IO.ISecurableDuplexPipe
    {
        private readonly System.Net.Sockets.NetworkStream _stream = client.GetStream();

        public System.IO.Pipelines.PipeReader Input => field ??= System.IO.Pipelines.PipeReader.Create(_stream);

        public System.IO.Pipelines.PipeWriter Output => field ??= System.IO.Pipelines.PipeWriter.Create(_stream);

        public bool IsSecure => false;

        public System.Security.Authentication.SslProtocols SslProtocol => System.Security.Authentication.SslProtocols.None;

        public Task UpgradeAsync(System.Security.Cryptography.X509Certificates.X509Certificate certificate, System.Security.Authentication.SslProtocols protocols, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("This test server speaks plain SMTP only.");

        public void Dispose() => client.Dispose();
    }
}
