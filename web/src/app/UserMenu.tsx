/**
 * Placeholder for the signed-in user's menu. Sign-in arrives with the auth work:
 * a <SignIn /> route will render outside <Shell /> and this menu will show the
 * user's name with "Sign out".
 */
export function UserMenu() {
  return (
    <div className="user-menu" aria-label="User menu (sign-in coming soon)" role="group">
      <span className="avatar" aria-hidden="true">
        ?
      </span>
    </div>
  );
}
