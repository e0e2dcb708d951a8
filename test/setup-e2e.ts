// End-to-end tests run real servers, cameras and sockets for seconds at a time.
jest.setTimeout(30_000);
